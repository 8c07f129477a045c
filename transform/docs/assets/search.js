(function(){
var q=document.getElementById("q"),qn=document.getElementById("qn");
if(!q)return;
var items=document.querySelectorAll("#nav li"),groups=document.querySelectorAll("#nav details");
function filter(){
var words=q.value.toLowerCase().split(/\s+/).filter(Boolean),shown=0,i,j;
for(i=0;i<items.length;i++){
var s=items[i].getAttribute("data-s")||"",ok=true;
for(j=0;j<words.length&&ok;j++)ok=s.indexOf(words[j])>=0;
items[i].hidden=!ok;if(ok)shown++;
}
for(i=0;i<groups.length;i++){
groups[i].hidden=!groups[i].querySelector("li:not([hidden])");
if(words.length)groups[i].open=true;
}
qn.textContent=words.length?shown+" of "+items.length:"";
}
q.addEventListener("input",filter);
q.addEventListener("keydown",function(e){
if(e.key!=="Enter")return;
var a=document.querySelector("#nav li:not([hidden]) a");
if(a){e.preventDefault();window.location.href=a.getAttribute("href");}
});
document.addEventListener("keydown",function(e){
if(e.key==="/"&&document.activeElement!==q){e.preventDefault();q.focus();}
});
filter();
})();
